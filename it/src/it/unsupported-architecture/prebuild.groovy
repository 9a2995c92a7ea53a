// A copy of stories260K that claims to be GPT-2.
def model = new File(basedir, 'model')
model.mkdirs()
new File(storiesDir).eachFile { f -> new File(model, f.name).bytes = f.bytes }
def config = new File(model, 'config.json')
config.text = config.text.replace('"llama"', '"gpt2"').replace('LlamaForCausalLM', 'GPT2LMHeadModel')
// A pre-build hook that does not end in true makes invoker skip the build.
true

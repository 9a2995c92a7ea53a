// A copy of stories260K whose weights file is cut short.
def model = new File(basedir, 'model')
model.mkdirs()
new File(storiesDir).eachFile { f -> new File(model, f.name).bytes = f.bytes }
def shard = new File(model, 'model.safetensors')
shard.bytes = shard.bytes[0..<500_000] as byte[]
// A pre-build hook that does not end in true makes invoker skip the build.
true

evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir, ["field 'model_type' is 'gpt2', not a LLaMA-family architecture"])

evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir, ["model.safetensors: tensor", "file truncated or corrupt"])

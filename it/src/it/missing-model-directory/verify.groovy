evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir, ["rotquant.modelDirectory", "directory not found"])

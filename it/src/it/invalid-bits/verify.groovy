evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir, ["rotquant.wBits must be 2..8"])

evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir,
        ["rotquant.device cuda:0: LibTorch's CPU build is on the classpath", "set rotquant.fork"])

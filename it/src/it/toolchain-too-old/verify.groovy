evaluate(new File(basedir, '../it-parent/bad-input.groovy')).call(basedir,
        ["rotquant: the forked compiler needs JDK ", "the toolchain matching {vendor=rotquant-it} is JDK 17"])
def log = new File(basedir, 'build.log').text
assert !log.contains('this JDK must not run')
assert !new File(basedir, 'target/toolchain-too-old-1.0.rqm').exists()

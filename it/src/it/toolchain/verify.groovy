// The fork ran on the toolchain's JDK, and the compile went through.
def log = new File(basedir, 'build.log').text
def javaHome = System.getProperty('java.home')
assert log.contains("rotquant: the forked compiler runs on JDK ") : 'no line naming the fork\'s JDK'
assert log.contains("the toolchain matching {vendor=rotquant-it} (${javaHome}/bin/java)")
assert new File(basedir, 'target/toolchain-1.0.rqm').isFile()

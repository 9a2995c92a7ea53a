// fork=false: the compiler runs inside Maven's JVM and writes the same bytes as the forked one.
import java.security.MessageDigest
def sha = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
def inProcess = new File(basedir, 'in-process.rqm')
def forked = new File(basedir, 'forked.rqm')
assert inProcess.isFile() && forked.isFile()
assert sha(inProcess) == sha(forked)
def builds = new File(basedir, 'build.log').text.split('BUILD SUCCESS')
assert builds[0].contains('compiled hadamard W4A4KV4 rtn in ') && !builds[0].contains('wrote ')  // no forked CLI
assert builds[1].contains('wrote ')

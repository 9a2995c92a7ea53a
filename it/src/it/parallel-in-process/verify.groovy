// LibTorch's settings are process-wide: in-process compiles take turns, so a parallel build writes
// what a serial one does, module by module.
import java.security.MessageDigest
def sha = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
['module-a', 'module-b'].each { m ->
    def parallel = new File(basedir, "${m}/parallel.rqm")
    def serial = new File(basedir, "${m}/serial.rqm")
    assert parallel.isFile() && serial.isFile() : m
    assert sha(parallel) == sha(serial) : "${m}: the parallel build wrote other bytes"
}
assert sha(new File(basedir, 'module-a/serial.rqm')) != sha(new File(basedir, 'module-b/serial.rqm'))
def first = new File(basedir, 'build.log').text.split('BUILD SUCCESS')[0]
assert first.contains('with a thread count of 2')
assert first.contains('compiled hadamard W4A8KV8 rtn in ')
assert first.contains('compiled orthogonal W4A4KV4 rtn in ')

import java.security.MessageDigest
// Two ranks (rank 0 writes) give the bytes of one process; both ranks' lines reach Maven's log.
def sha = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
def single = new File(basedir, 'single/model.rqm')
def shared = new File(basedir, 'shared/model.rqm')
assert single.isFile() && shared.isFile()
assert sha(single) == sha(shared)
def log = new File(basedir, 'build.log').text
assert log.contains('rank 0/2: joined the job at 127.0.0.1:')
assert log.contains('rank 1/2: done in ')
println "processes: one process and two ranks gave sha256 ${sha(shared)}"

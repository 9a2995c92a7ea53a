import java.security.MessageDigest
// Two clean builds of the same inputs and seed give the same bytes, dated by project.build.outputTimestamp.
def sha = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
def first = new File(basedir, 'first/model.rqm')
def second = new File(basedir, 'second/model.rqm')
assert first.isFile() && second.isFile()
assert sha(first) == sha(second)
assert second.lastModified() == java.time.Instant.parse('2026-11-24T00:00:00Z').toEpochMilli()
println "reproducible: both builds gave sha256 ${sha(first)}"

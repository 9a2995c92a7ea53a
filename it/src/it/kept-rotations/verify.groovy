// The first build trains and keeps the matrices; the second finds nothing changed (the file it
// wrote among its inputs); the third, after clean, reads them, trains nothing, and writes the same
// artifact bytes.
def builds = new File(basedir, 'build.log').text.split('BUILD SUCCESS')
assert builds.length == 4
assert builds[0].contains('duarot: iter 2/2')
assert builds[0].contains('learned matrices kept in')
assert builds[1].contains('rotquant: kept-rotations-1.0.rqm is up to date (duarot W4A4KV4 rtn)')
assert builds[2].contains('learned matrices read from')
assert !builds[2].contains('duarot: iter ')
def sha = { String log -> (log =~ /sha256 ([0-9a-f]{64})/)[0][1] }
assert sha(builds[0]) == sha(builds[2])
assert new File(basedir, 'duarot.safetensors').isFile()

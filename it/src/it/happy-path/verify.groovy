// The artifact is compiled during package, named by the project (the recipe is inside it), with both reports.
def artifact = new File(basedir, 'target/happy-path-1.0.rqm')
assert artifact.isFile() && artifact.length() > 100_000
def report = new File(basedir, 'target/rotquant/report.json').text
assert report.contains('"ppl_fp":') && report.contains('"ppl_q":') && report.contains('"eval_windows":4')
assert new File(basedir, 'target/rotquant/report.html').text.contains('<svg')
def log = new File(basedir, 'build.log').text
assert log.contains('rotquant: compiling hadamard W4A4KV4 rtn because there is no record of an earlier build')
assert log.contains('evaluated hadamard W4A4KV4 rtn: ppl')
assert log.contains('(hadamard W4A4KV4 rtn, attached)')
assert log.contains('tensors, checksum verified)') && log.contains('format_version: 2')

// The second build finds every input unchanged and does no work (build.log holds both builds).
def builds = new File(basedir, 'build.log').text.split('BUILD SUCCESS')
assert builds.length == 3
assert builds[0].contains('rotquant: compiling hadamard W4A4KV4 rtn because there is no record of an earlier build')
assert builds[1].contains('rotquant: up-to-date-1.0.rqm is up to date (hadamard W4A4KV4 rtn)')
assert !builds[1].contains('evaluated FP')
assert new File(basedir, 'target/up-to-date-1.0.rqm').isFile()

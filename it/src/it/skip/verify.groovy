def log = new File(basedir, 'build.log').text
assert log.contains('rotquant: compile skipped (rotquant.skip)')
def target = new File(basedir, 'target')
assert !target.exists() || !target.listFiles().any { it.name.endsWith('.rqm') }

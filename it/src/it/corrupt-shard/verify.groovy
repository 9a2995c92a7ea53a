// Bad input: one clear line, and no artifact (or temporary file) left behind.
def log = new File(basedir, 'build.log').text
assert log.contains("model.safetensors: tensor")
assert !log.contains('Exception in thread')
def leftovers = []
basedir.eachFileRecurse { if (it.name.endsWith('.rqm') || it.name.endsWith('.tmp')) leftovers << it }
assert leftovers.isEmpty() : "left behind: $leftovers"
assert log.contains('file truncated or corrupt')

// The check of every bad-input IT: the build failed with one clear line, without a stack trace from
// the compiler JVM, and left no artifact (or temporary file) behind. Returns a closure to call; the
// closure returns nothing, since invoker fails a hook script whose value is not true or null.
return { File basedir, List<String> expected ->
    def log = new File(basedir, 'build.log').text
    expected.each { assert log.contains(it) }
    assert !log.contains('Exception in thread')
    def leftovers = []
    basedir.eachFileRecurse { if (it.name.endsWith('.rqm') || it.name.endsWith('.tmp')) leftovers << it }
    assert leftovers.isEmpty() : "left behind: $leftovers"
}

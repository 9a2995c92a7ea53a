// Attached as type rqm without a classifier (the same coordinates whatever the recipe), so install publishes it.
def installed = new File(localRepositoryPath, 'io/rotquant/it/attach-install/1.0/attach-install-1.0.rqm')
assert installed.isFile()
assert installed.bytes == new File(basedir, 'target/attach-install-1.0.rqm').bytes

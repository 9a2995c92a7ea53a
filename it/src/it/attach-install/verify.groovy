// Attached as type rqm with the recipe's classifier, so install publishes it.
def installed = new File(localRepositoryPath, 'io/rotquant/it/attach-install/1.0/attach-install-1.0-hadamard-w4a4kv4-rtn.rqm')
assert installed.isFile()
assert installed.bytes == new File(basedir, 'target/attach-install-1.0-hadamard-w4a4kv4-rtn.rqm').bytes

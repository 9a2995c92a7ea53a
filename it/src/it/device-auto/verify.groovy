// auto never fails a build for want of a GPU: one line says why it fell back, or the log names the card.
def log = new File(basedir, 'build.log').text
def fellBack = log.readLines().findAll { it.contains('rotquant: device auto: compiling on the CPU: ') }
def onGpu = log.contains('device: cuda:0, ')
assert fellBack.size() == 1 || onGpu : 'neither a fallback line nor a CUDA device in the log'
if (fellBack) {
    assert fellBack[0].contains('NVIDIA driver') || fellBack[0].contains('needs lib')
}
assert new File(basedir, 'auto.rqm').isFile()

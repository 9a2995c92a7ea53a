// The fork was given the GPU build in place of the CPU natives: the plugin says which jars it resolved,
// and the fork, finding no GPU libraries in the stand-ins, stops in one line. No artifact is written.
def log = new File(basedir, 'build.log').text
def given = log.readLines().find { it.contains('rotquant: the forked compiler runs on LibTorch\'s GPU build: ') }
assert given : 'no line naming the GPU natives given to the fork'
assert given.contains("pytorch-${pytorchVersion}-${javacppPlatform}-gpu.jar")
assert given.contains("cuda-${cudaPresetsVersion}-${javacppPlatform}.jar")
assert log.contains('--device cuda') || log.contains('rotquant.device cuda')
assert !new File(basedir, 'target/cuda.rqm').exists() && !new File(basedir, 'cuda.rqm').exists()
// The fork's own check: it looked for the GPU build, and the CPU natives were gone from its classpath.
assert log.contains("the classpath has no LibTorch natives with libtorch_cuda.so (expected in org.bytedeco:pytorch:${pytorchVersion}:${javacppPlatform}-gpu)")

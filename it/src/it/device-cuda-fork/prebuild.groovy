// A machine that passes the plugin's CUDA check: the driver's and CUDA 13's library names, empty.
def libs = new File(basedir, 'fake-cuda')
libs.mkdirs()
['libcuda.so.1', 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcusparse.so.12', 'libcufft.so.12',
 'libcurand.so.10', 'libcusolver.so.12', 'libcufile.so.0', 'libnvrtc.so.13', 'libcupti.so.13', 'libcudnn.so.9',
 'libcudnn_ops.so.9', 'libcudnn_cnn.so.9', 'libcudnn_adv.so.9', 'libcudnn_graph.so.9', 'libnccl.so.2'].each {
    new File(libs, it).text = ''
}
// Stand-ins for the GPU natives (455 MB the real ones), installed in the ITs' local repository so that
// the build resolves them without a download. Each holds only a marker: the fork finds no GPU build in it.
def jar = { String artifact, String version, String classifier ->
    def dir = new File(localRepositoryPath, "org/bytedeco/${artifact}/${version}")
    dir.mkdirs()
    def file = new File(dir, "${artifact}-${version}-${classifier}.jar")
    new java.util.zip.ZipOutputStream(new FileOutputStream(file)).withCloseable { zip ->
        zip.putNextEntry(new java.util.zip.ZipEntry('rotquant-it-stand-in.txt'))
        zip.write('not the real natives'.bytes)
        zip.closeEntry()
    }
}
jar('pytorch', pytorchVersion, "${javacppPlatform}-gpu")
jar('cuda', cudaPresetsVersion, javacppPlatform)
true

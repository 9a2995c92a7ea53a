// A toolchains file whose one JDK is the JDK running this build, under a vendor name no machine uses.
def release = new File(System.getProperty('java.home'), 'release').text
def version = (release =~ /JAVA_VERSION="(\d+)/)[0][1]
new File(basedir, 'toolchains.xml').text = """<?xml version="1.0" encoding="UTF-8"?>
<toolchains>
  <toolchain>
    <type>jdk</type>
    <provides><version>${version}</version><vendor>rotquant-it</vendor></provides>
    <configuration><jdkHome>${System.getProperty('java.home')}</jdkHome></configuration>
  </toolchain>
</toolchains>
"""
true

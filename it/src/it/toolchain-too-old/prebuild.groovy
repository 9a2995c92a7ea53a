// A JDK 17 as a toolchain (a release file and a java that is never run): too old for the compiler.
def home = new File(basedir, 'jdk-17')
new File(home, 'bin').mkdirs()
new File(home, 'release').text = 'JAVA_VERSION="17.0.2"\n'
def java = new File(home, 'bin/java')
java.text = '#!/bin/sh\necho "this JDK must not run" >&2\nexit 3\n'
java.setExecutable(true)
new File(basedir, 'toolchains.xml').text = """<?xml version="1.0" encoding="UTF-8"?>
<toolchains>
  <toolchain>
    <type>jdk</type>
    <provides><version>17</version><vendor>rotquant-it</vendor></provides>
    <configuration><jdkHome>${home.absolutePath}</jdkHome></configuration>
  </toolchain>
</toolchains>
"""
true

# Loaded by toolchain-zig.cmake through CMAKE_USER_MAKE_RULES_OVERRIDE, i.e. after
# CMake's platform files. Apple-Clang.cmake asks for "-v -Wl,-v" to detect the compiler
# ABI, and Zig's linker rejects "-v" ("unsupported linker arg"), which would leave the
# pointer size unknown. The compiler's own -v is enough for the detection.
set(CMAKE_C_VERBOSE_FLAG "-v")

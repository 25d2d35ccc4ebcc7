# Cross-compiles cnet with Zig's bundled clang and C libraries (lab.md section 6).
#
#   cmake -S . -B build-x86_64-macos -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-zig.cmake \
#         -DZIG=/path/to/zig -DZIG_TARGET=x86_64-macos
#
# ZIG_TARGET is a Zig target triple: x86_64-macos, aarch64-macos, x86_64-linux-musl,
# aarch64-linux-musl. ZIG and ZIG_TARGET may also come from the environment.
# Zig bundles the macOS SDK headers and libSystem stubs, so macOS code compiles and
# links here; it cannot run here.

foreach(var ZIG ZIG_TARGET)
  if(NOT ${var} AND DEFINED ENV{${var}})
    set(${var} "$ENV{${var}}")
  endif()
  if(NOT ${var})
    message(FATAL_ERROR "toolchain-zig: set -D${var}=... (or the ${var} environment variable)")
  endif()
endforeach()
# try_compile projects re-read this file: hand them the same two settings.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG ZIG_TARGET)

if(ZIG_TARGET MATCHES "-macos")
  set(CMAKE_SYSTEM_NAME Darwin)
elseif(ZIG_TARGET MATCHES "-linux")
  set(CMAKE_SYSTEM_NAME Linux)
else()
  message(FATAL_ERROR "toolchain-zig: no CMake system name for target ${ZIG_TARGET}")
endif()
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${ZIG_TARGET}")
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64" AND CMAKE_SYSTEM_NAME STREQUAL "Darwin")
  set(CMAKE_SYSTEM_PROCESSOR arm64) # what uname -m says on Apple silicon
endif()

# The compiler is "zig cc -target T"; CMake takes the extra words as mandatory arguments.
set(CMAKE_C_COMPILER "${ZIG}" cc -target ${ZIG_TARGET})
# The archiver and ranlib are also zig subcommands, which CMAKE_AR cannot express.
set(CMAKE_C_ARCHIVE_CREATE "\"${ZIG}\" ar qc <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_APPEND "\"${ZIG}\" ar q <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_FINISH "\"${ZIG}\" ranlib <TARGET>")
set(CMAKE_USER_MAKE_RULES_OVERRIDE "${CMAKE_CURRENT_LIST_DIR}/toolchain-zig-rules.cmake")

# Nothing of the host may leak into a cross build.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Project-wide build helpers.

# Warning flags, linked PRIVATE by every target of ours (never by generated code).
add_library(unitclock_warnings INTERFACE)
target_compile_options(unitclock_warnings INTERFACE -Wall -Wextra -Werror)
# GCC 12's -Wrestrict misfires at -O2 on std::string concatenation inlined from
# libstdc++, gtest's printers and protobuf (GCC bugs 105329, 105651): a false
# positive in library code that -Werror would turn into a failed Release build.
target_compile_options(unitclock_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

# unitclock_add_test(NAME <name> SOURCES <files...> DEPS <targets...>)
# Builds one GoogleTest binary and registers every test in it with ctest.
# Under UNITCLOCK_TSAN the binary also gets absl::Mutex's TSan annotations
# (tests/testing/tsan_absl_mutex.cc), and any TSan report fails the test.
function(unitclock_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main unitclock_warnings)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  set(environment "")
  if(UNITCLOCK_TSAN)
    target_link_libraries(${ARG_NAME} PRIVATE unitclock_tsan_absl_mutex)
    set(environment ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1")
  endif()
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 ${environment})
endfunction()

include(GoogleTest)

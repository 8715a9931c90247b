# Project-wide build helpers.

# Warning flags, linked PRIVATE by every target of ours (never by generated code).
add_library(unitclock_warnings INTERFACE)
target_compile_options(unitclock_warnings INTERFACE -Wall -Wextra -Werror)
# GCC 12's -Wrestrict misfires at -O2 on std::string concatenation inlined from
# libstdc++, gtest's printers and protobuf (GCC bugs 105329, 105651): a false
# positive in library code that -Werror would turn into a failed Release build.
target_compile_options(unitclock_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

# The folder of the throwaway PostgreSQL cluster that ctest's fixture "pg"
# starts (scripts/pg_cluster.sh, tests/CMakeLists.txt) for the tests of the
# PostgreSQL store; tests/testing/test_database.cc finds it through
# UNITCLOCK_TEST_PG.
set(UNITCLOCK_TEST_PG_DIR ${CMAKE_BINARY_DIR}/pg-cluster)

# unitclock_add_test(NAME <name> SOURCES <files...> DEPS <targets...> [POSTGRES])
# Builds one GoogleTest binary and registers every test in it with ctest.
# Under UNITCLOCK_TSAN the binary also gets absl::Mutex's TSan annotations
# (tests/testing/tsan_absl_mutex.cc), and any TSan report fails the test.
# POSTGRES: the tests need the PostgreSQL cluster: they require the fixture
# "pg" (which ctest then runs first, and stops after, even when they fail)
# and get UNITCLOCK_TEST_PG.
# TEST_PREFIX: put before each test's name in ctest (as "tls." for the e2e
# suites over TLS), e.g. so that ctest -R selects a binary's tests by it.
function(unitclock_add_test)
  cmake_parse_arguments(ARG "POSTGRES" "NAME;TEST_PREFIX" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main unitclock_warnings)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  set(properties TIMEOUT 120)
  if(UNITCLOCK_TSAN)
    target_link_libraries(${ARG_NAME} PRIVATE unitclock_tsan_absl_mutex)
    list(APPEND properties ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1")
  endif()
  if(ARG_POSTGRES)
    # ENVIRONMENT_MODIFICATION, not a second ENVIRONMENT entry: a property
    # value holding a list (A=1;B=2) does not survive gtest_discover_tests'
    # PROPERTIES, which splits it into words.
    list(APPEND properties FIXTURES_REQUIRED pg
      ENVIRONMENT_MODIFICATION "UNITCLOCK_TEST_PG=set:${UNITCLOCK_TEST_PG_DIR}")
  endif()
  gtest_discover_tests(${ARG_NAME} TEST_PREFIX "${ARG_TEST_PREFIX}" DISCOVERY_TIMEOUT 60
    PROPERTIES ${properties})
endfunction()

include(GoogleTest)

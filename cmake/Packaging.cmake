# The Debian package (CPack DEB): `make package`, or `cpack` in a built build folder, writes
# <build>/package/driftline_<version>_<arch>.deb. Besides the binaries (apps/CMakeLists.txt):
#   /usr/share/man/man1/*.1.gz     help2man from each binary's --help, an ENVIRONMENT section
#                                  from its settings table (packaging/write-man-pages.cmake)
#   /etc/driftline/order-service.env
#                                  a conffile: every setting commented out with its default,
#                                  from `order-service --settings-markdown` (write-env-file.cmake)
#   /usr/lib/systemd/system/order-service.service       packaging/order-service.service
#   /usr/share/doc/driftline/      copyright, changelog.gz, README.md, README.Debian
#                                  (docs/install/deb.md)
#   /usr/share/lintian/overrides/driftline              the tags left, each with its reason
# The man pages and the env file are written by the install step (cpack runs it) from the
# binaries just built: `make build` needs no help2man, and they cannot drift from --help.
# Depends comes from the libraries the binaries link (dpkg-shlibdeps). No maintainer scripts:
# the unit runs as a DynamicUser (no user to create) and is not enabled on install (it needs
# the Kafka and SQS endpoints first). tests/package/ installs and checks the package.
set(_pkg_dir ${PROJECT_SOURCE_DIR}/packaging)
set(_pkg_out ${CMAKE_BINARY_DIR}/packaging)

find_program(DRIFTLINE_HELP2MAN help2man)
find_program(DRIFTLINE_GZIP gzip)

# Generated at install time into the build folder, then installed like any other file. A
# build without help2man still configures and builds; only installing it stops, saying why.
if(NOT DRIFTLINE_HELP2MAN OR NOT DRIFTLINE_GZIP)
  install(CODE "message(FATAL_ERROR
                 \"the package needs help2man and gzip (scripts/setup.sh installs them)\")")
endif()
install(CODE "
  execute_process(COMMAND \"${CMAKE_COMMAND}\" -DHELP2MAN=${DRIFTLINE_HELP2MAN}
                          -DBIN_DIR=$<TARGET_FILE_DIR:order-service> -DOUTPUT_DIR=${_pkg_out}/man
                          -DVERSION=${PROJECT_VERSION} -DINCLUDE_DIR=${_pkg_dir}/man
                          -P ${_pkg_dir}/write-man-pages.cmake
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"writing the man pages failed\")
  endif()
  execute_process(COMMAND \"${CMAKE_COMMAND}\" -DORDER_SERVICE=$<TARGET_FILE:order-service>
                          -DOUTPUT=${_pkg_out}/order-service.env
                          -P ${_pkg_dir}/write-env-file.cmake
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"writing order-service.env failed\")
  endif()
  execute_process(COMMAND ${DRIFTLINE_GZIP} -9nc ${_pkg_dir}/changelog
                  OUTPUT_FILE ${_pkg_out}/changelog.gz RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"gzip changelog failed\")
  endif()
")
# A stripped package (CPACK_STRIP_FILES) also loses the .comment and .note sections, as
# dh_strip does: the compiler's version strings, nothing a debugger needs. The binaries were
# installed by the rules above (apps/CMakeLists.txt, earlier in the same install).
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    foreach(binary order-service contract-test dlq-redrive)
      execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment --remove-section=.note
                              \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/\${binary}\"
                      RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR \"strip \${binary} failed\")
      endif()
    endforeach()
  endif()
")
# Every symbol bound at start (full RELRO with the toolchain's default -z relro), as Debian's
# hardening flags ask; only the three shipped binaries relink.
target_link_options(order-service PRIVATE LINKER:-z,now)
target_link_options(contract-test PRIVATE LINKER:-z,now)
target_link_options(dlq-redrive PRIVATE LINKER:-z,now)

foreach(page order-service contract-test contract-test-studio contract-test-mock
             contract-test-compat dlq-redrive)
  install(FILES ${_pkg_out}/man/${page}.1.gz DESTINATION share/man/man1)
endforeach()
# Root only: it may hold the SQS credentials; systemd reads it as root before dropping to the
# service's user. Absolute: /etc, not <prefix>/etc.
install(FILES ${_pkg_out}/order-service.env DESTINATION /etc/driftline
        PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${_pkg_dir}/order-service.service DESTINATION lib/systemd/system)
install(FILES ${_pkg_dir}/copyright ${_pkg_out}/changelog.gz ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION share/doc/driftline)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install/deb.md DESTINATION share/doc/driftline
        RENAME README.Debian)
install(FILES ${_pkg_dir}/lintian-overrides DESTINATION share/lintian/overrides
        RENAME driftline)

set(DRIFTLINE_PACKAGE_MAINTAINER
    "driftline maintainers <maintainers@users.noreply.r-seed-1a164807.example>"
    CACHE STRING "Maintainer field of the Debian package")
option(DRIFTLINE_PACKAGE_DBGSYM "Also build driftline-dbgsym (the debug info, a .ddeb)" OFF)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME driftline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # driftline_0.1.0_amd64.deb
set(CPACK_PACKAGE_CONTACT "${DRIFTLINE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DRIFTLINE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Kafka to SQS order bridge and AsyncAPI contract test runner")
# The extended description (CPack puts the summary above it and indents it); "." is an empty line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "\
order-service consumes orders from Kafka, transforms them and sends them to
Amazon SQS (or an SQS-compatible server), routing failures through a retry
topic with exponential backoff to a dead-letter topic; dlq-redrive
re-publishes dead letters. contract-test runs the examples of an AsyncAPI 3.0
contract against a running service over Kafka and SQS and fails when the
service drifts from the contract; it also serves Studio, a local web page
over those runs.
.
A systemd unit for order-service is included, not enabled: set its
endpoints in /etc/driftline/order-service.env first.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# xz, as Debian's own packages: 1.5 MB instead of gzip's 2.6 MB, for 2 s of CPU.
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_STRIP_FILES ON)
if(DRIFTLINE_PACKAGE_DBGSYM)
  # The DEB generator strips, keeping the debug info for the .ddeb (.comment stays: lintian info).
  set(CPACK_STRIP_FILES OFF)
  set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
endif()
# conffiles in the control archive, with Debian's permissions on every control file.
configure_file(${_pkg_dir}/conffiles ${_pkg_out}/control/conffiles COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_pkg_out}/control/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Directories CPack creates get 0755 whatever the umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)

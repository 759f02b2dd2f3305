# Installing like other tools: `cmake --install build [--prefix P]` puts the binary in
# bin/, the national rule packs and the schemas in share/coderaudit/, the man page and the
# bash completion where Debian looks for them. `cpack -G DEB` (in the build directory)
# builds a Debian package of the same tree; tests/install checks it installs and runs.
include(GNUInstallDirs)
install(TARGETS coderaudit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/rules/packs/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/coderaudit/rules/packs FILES_MATCHING PATTERN "*.xml")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/schemas/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/coderaudit/schemas)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/coderaudit.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/coderaudit.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME coderaudit)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME coderaudit)
set(CPACK_PACKAGE_VENDOR "coderaudit")
set(CPACK_PACKAGE_CONTACT "coderaudit maintainers <coderaudit@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Medical coding compliance audits and coder QA")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# The shared libraries it links (Poco, Xerces-C, SQLite, libxlsxwriter, OpenSSL) become
# Depends through dpkg-shlibdeps, as Debian's own packages do.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)

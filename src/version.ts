/** The package version, sent with CLIENT SETINFO LIB-VER. A test keeps it equal to package.json's. */
export const VERSION = '0.1.0';

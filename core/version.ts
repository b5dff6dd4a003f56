/** agekit's version, as in package.json (a test keeps the two equal): the CLIs and the device bundle print it. */
export const AGEKIT_VERSION = '0.2.0';

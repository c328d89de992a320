/**
 * Set up before every verification test file (jest.config.js, project `verify`).
 *
 * The AWS SDK for JavaScript warns on Node 20 that releases from 2027 on will need Node 22. The
 * SDK packages here are pinned dev dependencies that support Node 20, the oldest Node this
 * package supports, so the warning says nothing about this run.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

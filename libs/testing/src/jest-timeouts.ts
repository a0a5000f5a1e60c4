// Integration and end-to-end specs wait for real servers; each spec still polls with its own deadlines.
jest.setTimeout(Number(process.env.TEST_TIMEOUT_MS ?? 120_000));

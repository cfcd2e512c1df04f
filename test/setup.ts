// Global test hygiene: unhandled rejections and process warnings fail the run.
process.on('unhandledRejection', (reason) => {
  throw reason;
});

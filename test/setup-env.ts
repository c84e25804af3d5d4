// Handlers log through Powertools; keep test output readable.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

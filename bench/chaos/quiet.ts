// Imported first: the Lambda handlers' Powertools logger reads its level when its module loads, and the matrix's
// lines must not drown in the handlers' JSON logs (the scenarios read the engine's log lines themselves).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// The names of the output formats: all the command line needs of the reporters before a command runs.

export const REPORT_FORMATS = ["pretty", "tap", "junit", "json", "markdown", "html"] as const;

/** One of the output formats. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export { FlowTable, type EvictReason, type Flow, type FlowTableOptions, type TcpState } from "./table.js";
export { summarizeCapture, type CaptureSummary, type SummaryOptions } from "./summary.js";

namespace Needle.Store;

/// <summary>A host instance, the revision it serves and when it last reported (its heartbeat).</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="Revision">The revision it serves.</param>
/// <param name="UpdatedAt">When it last reported: its last heartbeat, or the last revision it applied, whichever is later.</param>
/// <param name="Serving">
/// What it serves, as its heartbeat wrote it: <c>name=stable[+canary][!]</c> per function (<c>!</c>: kill switch on),
/// comma-separated; empty when it has not sent a heartbeat. <c>Needle.Nodes.INeedleNodes</c> reads it as typed values.
/// </param>
public sealed record NodeRecord(string NodeId, long Revision, DateTimeOffset UpdatedAt, string Serving = "");

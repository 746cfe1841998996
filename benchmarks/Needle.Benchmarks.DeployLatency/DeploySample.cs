namespace Needle.Benchmarks.DeployLatency;

/// <summary>One measured deploy: the deploy call's duration, the time until the new version served, and how many polls that took.</summary>
internal sealed record DeploySample(int Version, double DeployMs, double ToServingMs, int Polls);

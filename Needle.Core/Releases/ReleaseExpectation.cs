namespace Needle.Releases;

/// <summary>
/// What a release change expects to find, checked under the change gate against the function's current release: when
/// the release moved on (someone else acted first), nothing changes and a <see cref="Store.NeedleConflictException"/>
/// is thrown, so an automatic change never undoes a newer one. Each field left <see langword="null"/> (the default) is not checked.
/// </summary>
/// <param name="ReleaseId">The id of the release row the change was decided on (<see cref="Store.ReleaseRecord.Id"/>).</param>
/// <param name="Canary">The version that must run as canary.</param>
/// <param name="Stable">The version that must be the stable one.</param>
public readonly record struct ReleaseExpectation(long? ReleaseId = null, int? Canary = null, int? Stable = null)
{
    /// <summary>No expectation: the change applies to whatever release is current.</summary>
    public static ReleaseExpectation None => default;
}

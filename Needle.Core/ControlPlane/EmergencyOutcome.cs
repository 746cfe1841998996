using Microsoft.AspNetCore.Http;

namespace Needle.ControlPlane;

/// <summary>What an <see cref="IEmergencyActions"/> call did, as the control plane answers it: done (200), created (201) or accepted for later (202).</summary>
public sealed class EmergencyOutcome
{
    private EmergencyOutcome(int statusCode, object body, string? location)
    {
        ArgumentNullException.ThrowIfNull(body);
        StatusCode = statusCode;
        Body = body;
        Location = location;
    }

    /// <summary>The HTTP status: 200, 201 or 202.</summary>
    public int StatusCode { get; }

    /// <summary>The response body, serialized as JSON.</summary>
    public object Body { get; }

    /// <summary>Where the result can be read, relative to the control plane's prefix (for example <c>patches/4f2a</c>); the API answers it as the <c>Location</c> header.</summary>
    public string? Location { get; }

    /// <summary>Done by the time the call returns, or a replay of an earlier identical call: 200.</summary>
    /// <param name="body">The result.</param>
    public static EmergencyOutcome Done(object body) => new(StatusCodes.Status200OK, body, null);

    /// <summary>Done, and a new resource exists at <paramref name="location"/>: 201.</summary>
    /// <param name="body">The result.</param>
    /// <param name="location">The new resource, relative to the control plane's prefix.</param>
    public static EmergencyOutcome Created(object body, string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return new(StatusCodes.Status201Created, body, location);
    }

    /// <summary>Accepted; the work goes on after the call returns, and <paramref name="location"/> (if any) shows its progress: 202.</summary>
    /// <param name="body">What was accepted.</param>
    /// <param name="location">The progress resource, relative to the control plane's prefix.</param>
    public static EmergencyOutcome Accepted(object body, string? location = null) => new(StatusCodes.Status202Accepted, body, location);
}

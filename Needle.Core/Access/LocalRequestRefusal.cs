namespace Needle.Access;

/// <summary>Why <see cref="LocalRequestRule"/> does not count a request as local.</summary>
/// <param name="Rule">The rule that refused: <c>connection</c>, <c>host</c> or <c>forwarded</c>.</param>
/// <param name="Reason">What the request had, in a sentence, for example <c>its Host 'rebind.example:5080' is not a loopback name</c>.</param>
public sealed record LocalRequestRefusal(string Rule, string Reason);

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;
using Needle.Serving;

namespace Needle.Routing;

/// <summary>
/// The one <see cref="EndpointDataSource"/> for function routes. It holds one endpoint per function; an endpoint
/// reads its <see cref="FunctionSlot"/> per request, so a new version serves without rebuilding endpoints. Endpoints
/// are rebuilt (and the change token fired) only when the set of routes changes, as YARP's ProxyConfigManager does.
/// </summary>
internal sealed class NeedleEndpointDataSource : EndpointDataSource, IEndpointConventionBuilder
{
    private readonly FunctionEndpointHandler _handler;
    private readonly List<Action<EndpointBuilder>> _conventions = [];
    private readonly List<Action<EndpointBuilder>> _finallyConventions = [];
    private readonly Lock _sync = new();
    private IReadOnlyList<Endpoint> _endpoints = [];
    private CancellationTokenSource _changeSource = new();
    private IChangeToken _changeToken;
    private IReadOnlyList<RouteEntry> _routes = [];
    private string? _prefix;

    public NeedleEndpointDataSource(FunctionEndpointHandler handler)
    {
        _handler = handler;
        _changeToken = new CancellationChangeToken(_changeSource.Token);
    }

    /// <summary>The path prefix given to <c>MapNeedle</c>, or <see langword="null"/> before it was called.</summary>
    public string? Prefix => _prefix;

    public override IReadOnlyList<Endpoint> Endpoints => Volatile.Read(ref _endpoints);

    public override IChangeToken GetChangeToken() => Volatile.Read(ref _changeToken);

    public void Add(Action<EndpointBuilder> convention)
    {
        lock (_sync)
        {
            _conventions.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        lock (_sync)
        {
            _finallyConventions.Add(finallyConvention);
        }
    }

    /// <summary>Called once by <c>MapNeedle</c>.</summary>
    public void SetPrefix(string prefix)
    {
        lock (_sync)
        {
            if (_prefix is not null)
            {
                throw new InvalidOperationException($"MapNeedle was already called (with prefix '{_prefix}'); call it once.");
            }

            _prefix = "/" + prefix.Trim('/');
            if (_prefix == "/")
            {
                _prefix = "";
            }

            Rebuild(_routes);
        }
    }

    /// <summary>Publishes the functions' routes; rebuilds endpoints only when a route, method or slot changed.</summary>
    public void Update(IReadOnlyList<RouteEntry> routes)
    {
        lock (_sync)
        {
            if (_routes.SequenceEqual(routes))
            {
                return;
            }

            Rebuild(routes);
        }
    }

    private void Rebuild(IReadOnlyList<RouteEntry> routes)
    {
        _routes = routes;
        if (_prefix is null)
        {
            return;
        }

        var endpoints = new List<Endpoint>(routes.Count);
        foreach (var route in routes)
        {
            var slot = route.Slot;
            var builder = new RouteEndpointBuilder(
                context => _handler.HandleAsync(context, slot),
                RoutePatternFactory.Parse(_prefix + route.Template),
                order: 0)
            {
                DisplayName = $"Needle function {slot.Name}",
            };
            builder.Metadata.Add(new HttpMethodMetadata(route.Methods));
            builder.Metadata.Add(slot);
            foreach (var convention in _conventions)
            {
                convention(builder);
            }

            foreach (var convention in _finallyConventions)
            {
                convention(builder);
            }

            endpoints.Add(builder.Build());
        }

        var oldSource = _changeSource;
        _changeSource = new CancellationTokenSource();
        Volatile.Write(ref _endpoints, endpoints);
        Volatile.Write(ref _changeToken, new CancellationChangeToken(_changeSource.Token));
        oldSource.Cancel();
        oldSource.Dispose();
    }
}

/// <summary>A function's route as the data source publishes it.</summary>
internal sealed record RouteEntry(FunctionSlot Slot, string Template, IReadOnlyList<string> Methods)
{
    public bool Equals(RouteEntry? other) =>
        other is not null
        && ReferenceEquals(Slot, other.Slot)
        && Template == other.Template
        && Methods.SequenceEqual(other.Methods);

    public override int GetHashCode() => HashCode.Combine(Slot, Template);
}

// The C# hello: the same work as the native /native/hello endpoint.
public sealed class Hello : INeedleFunction
{
    public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
    {
        var name = request.Query["name"].ToString();
        return Task.FromResult<object?>(new { message = $"Hello, {(name.Length > 0 ? name : "you")}!" });
    }
}

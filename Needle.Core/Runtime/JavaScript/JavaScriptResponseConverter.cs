using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Turns what the handler returned into a <see cref="FunctionResponse"/>:
/// <list type="bullet">
/// <item><c>undefined</c>: 204, no body.</item>
/// <item>A response object, that is a non-array object whose own keys are only <c>status</c>, <c>headers</c> and
/// <c>body</c> and whose <c>status</c> is a number: that status (an integer; <see cref="ResponseRules"/> checks it
/// and the headers for both runtimes), those headers (string, number or boolean values, or arrays of them, at most
/// <see cref="MaxHeaderValues"/> values in all), and the body as below.</item>
/// <item>Any other value is the body of a 200.</item>
/// </list>
/// A string body is sent as is (<c>text/plain</c> unless a <c>content-type</c> header says otherwise); any other
/// body is serialised as <c>JSON.stringify</c> does, within the version's <c>maxResponseKb</c>
/// (<see cref="JavaScriptJsonWriter"/>, <c>application/json</c>); <c>null</c> or
/// <c>undefined</c> as a response object's body means no body.
/// </summary>
internal static class JavaScriptResponseConverter
{
    /// <summary>The content type of JSON bodies.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>The content type of string bodies.</summary>
    public const string TextContentType = "text/plain; charset=utf-8";

    /// <summary>
    /// How many header values a response may carry (each value of an array counts). Every length the host loops over
    /// is the function's to choose (<c>{length: 2**32 - 1}</c> costs it nothing), so each is checked against this
    /// before the loop starts, and the call fails naming the limit.
    /// </summary>
    public const int MaxHeaderValues = 256;

    /// <summary>The limit name reported when <see cref="MaxHeaderValues"/> is passed.</summary>
    public const string HeadersLimit = "responseHeaders";

    private static readonly FunctionResponse NoContent = new() { StatusCode = 204 };

    /// <summary>Converts the handler's result.</summary>
    public static FunctionResponse Convert(Engine engine, JsValue result, long maxBodyBytes = long.MaxValue)
    {
        if (result.IsUndefined())
        {
            return NoContent;
        }

        if (result is ObjectInstance obj && IsResponseObject(obj))
        {
            var status = ReadStatus(obj.Get("status"));
            var headers = ReadHeaders(obj.Get("headers"), out var hasContentType);
            var body = obj.Get("body");
            if (body.IsUndefined() || body.IsNull())
            {
                return new FunctionResponse { StatusCode = status, Headers = headers };
            }

            return Serialize(engine, body, maxBodyBytes, status, headers, hasContentType);
        }

        return Serialize(engine, result, maxBodyBytes, 200, null, hasContentType: false);
    }

    private static bool IsResponseObject(ObjectInstance obj)
    {
        if (obj.IsArray() || obj.IsCallable() || !obj.Get("status").IsNumber())
        {
            return false;
        }

        foreach (var key in obj.GetOwnPropertyKeys(Types.String))
        {
            if (key.ToString() is not ("status" or "headers" or "body"))
            {
                return false;
            }
        }

        return true;
    }

    private static int ReadStatus(JsValue value)
    {
        var number = value.AsNumber();
        if (number is < ResponseRules.MinStatus or > ResponseRules.MaxStatus || number != Math.Floor(number))
        {
            throw Invalid($"The response status must be an integer from {ResponseRules.MinStatus} to {ResponseRules.MaxStatus}, not {number.ToString(CultureInfo.InvariantCulture)}.");
        }

        return (int)number;
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(JsValue value, out bool hasContentType)
    {
        hasContentType = false;
        var headers = new List<KeyValuePair<string, string>>();
        if (value.IsUndefined() || value.IsNull())
        {
            return headers;
        }

        if (value is not ObjectInstance obj || obj.IsArray())
        {
            throw Invalid("The response headers must be an object of names to values.");
        }

        var keys = obj.GetOwnPropertyKeys(Types.String);
        if (keys.Count > MaxHeaderValues)
        {
            throw TooManyHeaders();
        }

        foreach (var key in keys)
        {
            var name = key.ToString();
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                throw Invalid($"'{name}' is not a valid header name.");
            }

            hasContentType |= name.Equals("content-type", StringComparison.OrdinalIgnoreCase);
            var headerValue = obj.Get(key);
            if (headerValue is ObjectInstance values && values.IsArray())
            {
                // Checked as a number before the loop: a proxy's length can be anything, an array's up to 2**32 - 1.
                var length = TypeConverter.ToNumber(values.Get("length"));
                if (!(length <= MaxHeaderValues - headers.Count))
                {
                    throw TooManyHeaders();
                }

                for (uint i = 0; i < (uint)length; i++)
                {
                    AddHeader(headers, name, values.Get(i));
                }
            }
            else
            {
                AddHeader(headers, name, headerValue);
            }

            if (headers.Count > MaxHeaderValues)
            {
                throw TooManyHeaders();
            }
        }

        return headers;
    }

    private static FunctionInvocationException TooManyHeaders() =>
        new(
            InvocationFailure.LimitExceeded,
            $"The response has more than {MaxHeaderValues} header values (each value of an array counts); the limit is {HeadersLimit}.",
            HeadersLimit);

    private static void AddHeader(List<KeyValuePair<string, string>> headers, string name, JsValue value)
    {
        if (value.IsUndefined() || value.IsNull())
        {
            return;
        }

        if (!(value.IsString() || value.IsNumber() || value.IsBoolean()))
        {
            throw Invalid($"The value of header '{name}' must be a string, a number or a boolean.");
        }

        // CR, LF and NUL are refused by ResponseRules, for both runtimes.
        headers.Add(new(name, TypeConverter.ToString(value)));
    }

    private static FunctionResponse Serialize(Engine engine, JsValue body, long maxBytes, int status, List<KeyValuePair<string, string>>? headers, bool hasContentType)
    {
        if (body.IsString())
        {
            return new FunctionResponse { StatusCode = status, Headers = headers ?? [], Body = body.ToString(), ContentType = hasContentType ? null : TextContentType };
        }

        byte[]? json;
        int length;
        try
        {
            // Each character is at least one byte, so a body whose conversion runs past maxBytes is too large; the
            // writer stops there instead of walking whatever length the function claims. It writes UTF-8 into a pooled
            // array that the response writer copies into the response pipe and gives back.
            json = JavaScriptJsonWriter.SerializeUtf8(engine, body, maxBytes, out length);
        }
        catch (JavaScriptJsonWriter.BudgetExceededException)
        {
            throw Invalid($"The response is larger than the function's limit of {maxBytes / 1024} KB (maxResponseKb).");
        }
        catch (JavaScriptJsonWriter.NotSerializableException ex)
        {
            throw Invalid($"The response cannot be serialised to JSON: {ex.Message}.", ex);
        }
        catch (JavaScriptException ex) when (!JavaScriptErrors.IsStackExhausted(ex))
        {
            throw Invalid($"The response cannot be serialised to JSON: {ex.Message}", ex);
        }

        if (json is null)
        {
            throw Invalid($"The response cannot be serialised to JSON: a {(body.IsCallable() ? "function" : body.Type.ToString().ToLowerInvariant())} has no JSON form.");
        }

        return FunctionResponse.FromUtf8(json, length, hasContentType ? null : JsonContentType, status, headers);
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static FunctionInvocationException Invalid(string message, Exception? inner = null) =>
        new(InvocationFailure.InvalidResponse, message, innerException: inner);
}

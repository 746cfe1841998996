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
/// <c>body</c> and whose <c>status</c> is a number: that status (an integer from 100 to 599), those headers
/// (string, number or boolean values, or arrays of them), and the body as below.</item>
/// <item>Any other value is the body of a 200.</item>
/// </list>
/// A string body is sent as is (<c>text/plain</c> unless a <c>content-type</c> header says otherwise); any other
/// body is serialised with the engine's <c>JSON.stringify</c> (<c>application/json</c>); <c>null</c> or
/// <c>undefined</c> as a response object's body means no body.
/// </summary>
internal static class JavaScriptResponseConverter
{
    /// <summary>The content type of JSON bodies.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>The content type of string bodies.</summary>
    public const string TextContentType = "text/plain; charset=utf-8";

    private static readonly FunctionResponse NoContent = new() { StatusCode = 204 };

    /// <summary>Converts the handler's result.</summary>
    public static FunctionResponse Convert(Engine engine, JsValue result)
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

            var (text, contentType) = Serialize(engine, body);
            return new FunctionResponse
            {
                StatusCode = status,
                Headers = headers,
                Body = text,
                ContentType = hasContentType ? null : contentType,
            };
        }

        var (plain, plainType) = Serialize(engine, result);
        return new FunctionResponse { Body = plain, ContentType = plainType };
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
        if (number is < 100 or > 599 || number != Math.Floor(number))
        {
            throw Invalid($"The response status must be an integer from 100 to 599, not {number.ToString(CultureInfo.InvariantCulture)}.");
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

        foreach (var key in obj.GetOwnPropertyKeys(Types.String))
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
                var length = (uint)TypeConverter.ToNumber(values.Get("length"));
                for (uint i = 0; i < length; i++)
                {
                    AddHeader(headers, name, values.Get(i));
                }
            }
            else
            {
                AddHeader(headers, name, headerValue);
            }
        }

        return headers;
    }

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

        var text = TypeConverter.ToString(value);
        if (text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw Invalid($"The value of header '{name}' contains a line break.");
        }

        headers.Add(new(name, text));
    }

    private static (string Body, string ContentType) Serialize(Engine engine, JsValue body)
    {
        if (body.IsString())
        {
            return (body.ToString(), TextContentType);
        }

        JsValue json;
        try
        {
            json = new JsonSerializer(engine).Serialize(body);
        }
        catch (JavaScriptException ex) when (!JavaScriptErrors.IsStackExhausted(ex))
        {
            throw Invalid($"The response cannot be serialised to JSON: {ex.Message}", ex);
        }

        if (json.IsUndefined())
        {
            throw Invalid($"The response cannot be serialised to JSON: a {(body.IsCallable() ? "function" : body.Type.ToString().ToLowerInvariant())} has no JSON form.");
        }

        return (json.ToString(), JsonContentType);
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static FunctionInvocationException Invalid(string message, Exception? inner = null) =>
        new(InvocationFailure.InvalidResponse, message, innerException: inner);
}

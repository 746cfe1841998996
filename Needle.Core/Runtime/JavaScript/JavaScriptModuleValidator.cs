using Acornima.Ast;

namespace Needle.Runtime.JavaScript;

/// <summary>Refuses, at deploy time, module features the sandbox does not offer.</summary>
internal static class JavaScriptModuleValidator
{
    /// <summary>Throws <see cref="FunctionValidationException"/> when the module imports anything.</summary>
    public static void Validate(Module module)
    {
        // Static imports and re-exports only appear at the top level; import() can appear anywhere.
        // Jint would refuse them at link or call time too, but with a host exception and no position.
        foreach (var node in module.DescendantNodesAndSelf())
        {
            var imports = node switch
            {
                ImportDeclaration => true,
                ImportExpression => true,
                ExportAllDeclaration => true,
                ExportNamedDeclaration { Source: not null } => true,
                _ => false,
            };
            if (imports)
            {
                var start = node.Location.Start;
                throw new FunctionValidationException(
                    "Imports are not supported: a function is a single module and reaches the host only through ctx.",
                    start.Line,
                    start.Column + 1);
            }
        }
    }
}

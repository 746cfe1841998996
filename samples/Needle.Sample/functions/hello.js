// The smallest function: read the query, answer JSON.
export default async function (req, ctx) {
  const name = req.query.name ?? "world";
  return { message: `Hello, ${name}!` };
}

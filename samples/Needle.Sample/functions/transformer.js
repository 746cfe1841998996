// A transformer: filter, sort and reshape a list of 100 products. The catalog is built once per engine
// (module state lives as long as a pooled engine), or posted in the request body.
const categories = ["tools", "garden", "kitchen", "toys"];
const catalog = Array.from({ length: 100 }, (_, i) => ({
  sku: `P-${String(i + 1).padStart(3, "0")}`,
  title: `Product ${i + 1}`,
  category: categories[i % categories.length],
  price: Math.round(((i * 37) % 100) * 1.5 + 5) / 1,
  stock: (i * 13) % 25,
  rating: ((i * 7) % 50) / 10,
}));

export default async function (req, ctx) {
  const items = Array.isArray(req.body) ? req.body : catalog;
  const category = req.query.category;
  const minRating = Number(req.query.minRating ?? ctx.config.minRating ?? 0);
  const selected = items
    .filter((p) => (!category || p.category === category) && p.stock > 0 && p.rating >= minRating)
    .sort((a, b) => b.rating - a.rating || a.price - b.price)
    .map((p) => ({ id: p.sku, name: p.title.toUpperCase(), price: `$${p.price.toFixed(2)}`, lowStock: p.stock < 5 }));
  return { count: selected.length, items: selected };
}

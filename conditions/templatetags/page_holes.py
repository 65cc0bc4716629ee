"""`{% hole "template.html" %}`: a part of a page that is one reader's (conditions.page_cache)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def hole(context, template_name):
    """`template_name` rendered with the page's context, as `{% include %}` would; while
    page_cache.render_frame keeps the page around it, a stand-in where it goes."""
    stand_in = context.get("frame_stand_in")
    if stand_in is not None:
        return stand_in(template_name)
    return context.template.engine.get_template(template_name).render(context)

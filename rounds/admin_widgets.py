"""Admin widgets that Django's own leave inaccessible, made whole."""

from django.contrib.admin.widgets import AdminFileWidget, FilteredSelectMultiple


class FilterBoxes(FilteredSelectMultiple):
    """Django's two filtered boxes (filter_horizontal), their filter help given a role.

    SelectFilter2.js puts the help of each filter box in the aria-label of a bare span, where
    ARIA prohibits it (axe: aria-prohibited-attr) and screen readers drop it; the script added
    here makes each such span an image named by that help, as it is drawn: a magnifier icon.
    Before the script runs, the select is named after its field.
    """

    def get_context(self, name, value, attrs):
        # Until the script turns it into two boxes, the select stands in a fieldset whose
        # legend does not name it (axe: select-name); the boxes it becomes have labels of
        # their own, which take precedence over this name.
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("aria-label", str(self.verbose_name))
        return context

    class Media:
        # Listed after SelectFilter2.js, which it wraps, so that the media merge keeps that order.
        js = ["admin/js/SelectFilter2.js", "js/admin-filter-help.js"]


class LabelledFileWidget(AdminFileWidget):
    """Django's admin file input, labelled by its field's label instead of a fieldset's legend.

    ClearableFileInput asks for a fieldset, whose legend axe does not take as the file input's
    label (axe: label); without it the field's <label for> names the file input, and the
    "clear" checkbox, shown when a file is stored, keeps a label of its own.
    """

    use_fieldset = False
